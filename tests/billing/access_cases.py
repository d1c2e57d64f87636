from tests.access import AccessCase

CASES = [AccessCase("billing"), AccessCase("billable")]
