"""The call-back tasks' GraphQL (issue 16): the stores' daily lists, the calls, the outbox."""
