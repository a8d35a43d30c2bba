"""The Better Care Fund 2015/16 payment-for-performance scheme: rule sets, conditions, metric
assessment, tranches and money. Pure domain code: no Flask, no marshmallow, no I/O per request."""
