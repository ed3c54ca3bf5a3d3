from indexer.console import run

run()
