"""Reading a merchant's purchase history from another system (``tessera import transactions``, ADR 0019).

Pure computation, no database: ``columns`` maps a file's headers to fields, ``values`` reads numbers, dates and
identifiers as people write them, ``rows`` turns each row into a checked line or errors, and ``invoices`` groups
lines into the documents to record. ``tessera.checkout.services.imports`` resolves stores and members and writes.
"""
