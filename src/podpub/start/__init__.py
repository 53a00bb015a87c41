"""Starting a show: ``podpub init`` (a new show folder) and ``podpub new`` (an episode)."""
