"""Generated protobuf and gRPC code for rapidreview.v1 (clients/python/gen-stubs; do not edit)."""
