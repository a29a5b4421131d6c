"""ACM/IDM, the Flemish government's login (OpenID Connect): personas and the simulator."""
