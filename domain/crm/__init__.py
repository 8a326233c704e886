"""The brand's data centre: call-back tasks, birthday greetings and the outbox, and what the
calls achieve. ``callbacks`` holds the rules (pure); the other modules persist them."""
