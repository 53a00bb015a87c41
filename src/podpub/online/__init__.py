"""Going online: checking the served show, notifying the apps."""
