"""Customer Health for Zendesk: the backend, its command line and the Zendesk app it ships."""

from importlib.metadata import PackageNotFoundError, version

try:
    # The one version: pyproject.toml's, as installed; package-app stamps it into the manifest.
    __version__ = version("customer-health")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
