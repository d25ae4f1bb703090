"""Plumbing every app may use and that uses none of them: the resilient cache access layer and what answers its
refusals (core.cache, core.middleware, core.api)."""
