#!/bin/sh
# harmless marker: proves the file was executed
touch /tmp/lsp-hostile-upload-ran
