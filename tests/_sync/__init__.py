# WARNING: generated from tests/_async/__init__.py by codegen/unasync.py. DO NOT EDIT.
