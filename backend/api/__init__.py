"""The HTTP edge: FastAPI app factory, routes, signed-request verification, error mapping."""
