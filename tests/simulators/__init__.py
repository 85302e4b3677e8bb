"""HTTPS simulators of the vSphere Automation and Cloud Director Availability session APIs, for tests and the demo."""
