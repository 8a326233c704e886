"""The brand's data centre: call-back tasks and the outbox (``callbacks`` holds the pure
rules), the channel (``channel/``), and what the calls achieve."""
