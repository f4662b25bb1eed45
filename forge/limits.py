"""The ranges of PostgreSQL's integer columns, to bound integer input to what a column holds.

An API integer field without a bound lets 3000000000 reach an `integer` column and fail
there as a 500; every integer input names one of these (or a tighter) range instead.
"""

INTEGER_MAX = 2**31 - 1  # integer, serial, PositiveIntegerField
BIGINT_MAX = 2**63 - 1  # bigint, BigAutoField primary keys
