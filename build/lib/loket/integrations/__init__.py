"""Links with outside systems: one sub-package per system, each with its simulator."""
