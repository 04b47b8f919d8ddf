"""sslint: finds Kubernetes StatefulSet mistakes in manifests before they reach a cluster."""

__version__ = "0.1.0"
