from tests.access import AccessCase

CASES = [AccessCase("calls")]
