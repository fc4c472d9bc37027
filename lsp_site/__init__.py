"""The whole site: the kernel (lsp_portal) and the five stages together.

What needs every stage lives here, above them: the root URLconf, the demo data (seed_demo), the
bulk data generator (datagen, bench_generate) and the benchmark commands. No stage and nothing in
the kernel imports this package (import-linter contracts in pyproject.toml)."""
