from tests.access import AccessCase

CASES = [AccessCase("directory"), AccessCase("info_pages")]
