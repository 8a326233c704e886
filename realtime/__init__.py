"""Redis mechanisms that know nothing of orders: client, geo index, (later) bus and deadlines."""
