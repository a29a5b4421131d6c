"""Loket: the dossier system of a Flemish municipality and its OCMW.

The WSGI application is :func:`loket.main.main`.
"""
