"""People: members (registration, home store), staff (taking one off a store) and admins."""
