from tests.e2e.secrets.canaries import all_logs

__all__ = ["all_logs"]
