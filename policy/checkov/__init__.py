# Makes this directory a package, which checkov needs to load it with --external-checks-dir.
