"""Generated protobuf and gRPC code for rapidreview.v1 (scripts/gen-protos; do not edit)."""
