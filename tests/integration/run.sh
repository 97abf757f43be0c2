#!/bin/sh
# Placeholder; integration tests arrive with the engines.
echo "integration: 0 passed, 0 failed"
