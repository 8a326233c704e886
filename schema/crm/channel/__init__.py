"""The channel's GraphQL: distributors, shipments, diversion alerts, statements."""
