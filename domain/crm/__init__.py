"""The brand's data centre: call-back tasks, acquisition, the channel, reports."""
