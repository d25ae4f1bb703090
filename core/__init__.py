"""Pieces every app may use and that use no app: the resilient cache access layer and what answers its
refusals (core.cache, core.middleware, core.api), the bounds of what people and files may give us, and the request
guard that applies them before any view runs."""
