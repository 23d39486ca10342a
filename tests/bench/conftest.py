from tests.bench.report import RESULTS, write_table


def pytest_sessionstart(session):
    if RESULTS.exists():
        RESULTS.unlink()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The run's results as README's table (also in bench-results/results.md)."""
    if not RESULTS.exists():
        return
    terminalreporter.write_sep("=", "benchmark results (bench-results/results.md)")
    terminalreporter.write(write_table())
