"""Print docs/legal-rules.md: python -m broker.legal.docs > docs/legal-rules.md"""

import sys

from broker.legal.markdown import render_markdown

if __name__ == "__main__":
    sys.stdout.write(render_markdown())
