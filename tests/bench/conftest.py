from tests.bench.report import RESULTS


def pytest_sessionstart(session):
    if RESULTS.exists():
        RESULTS.unlink()
