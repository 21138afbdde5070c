"""HTTP API: FastAPI routers, thin over the domain services."""
