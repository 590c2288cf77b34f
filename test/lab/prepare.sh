#!/usr/bin/env bash
# Placeholder until the lab lands: nothing to prepare yet.
exit 0
