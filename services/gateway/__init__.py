"""gateway: the platform's only public HTTP surface (REST + OpenAPI), translating requests into gRPC calls."""
