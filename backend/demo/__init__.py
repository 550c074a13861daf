"""The built-in demo Zendesk: a generated account served by a real HTTP server (see README.md)."""

from backend.demo.app import create_demo_zendesk
from backend.demo.auth import DemoCredentials
from backend.demo.dataset import DemoAccount, generate_account
from backend.demo.faults import FaultConfig
from backend.demo.ratelimits import RateLimits
from backend.demo.server import BackgroundServer

__all__ = [
    "BackgroundServer",
    "DemoAccount",
    "DemoCredentials",
    "FaultConfig",
    "RateLimits",
    "create_demo_zendesk",
    "generate_account",
]
