"""Where resources come from: manifest files, a live cluster, saved snapshots."""
