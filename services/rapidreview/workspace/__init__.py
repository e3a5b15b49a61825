"""The Rapid Review workspace: the web application people use to run a rapid review.

A fifth process beside the four services. It holds no authority of its own: each
page reads from, and each form writes to, the owning service over gRPC as the
signed-in person (a short-lived token minted for them), and the services' access
table decides. See docs/workspace.md.
"""
