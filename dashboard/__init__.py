"""The dashboard application: settings, the app factory, figure builders, downloads, CLI."""
