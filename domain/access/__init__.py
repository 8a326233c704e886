"""Access: tokens, sign-in, sessions and their revocation, passwords, and who sees what."""
