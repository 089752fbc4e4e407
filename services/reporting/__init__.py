"""reporting: read models built from every invoice event, served to the gateway over gRPC."""
