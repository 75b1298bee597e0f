"""`llmd-sim test`, `bench` and `port-forward`: the commands that talk to the gateway."""
