"""Call the judge service from any program (here Python with httpx).

    groundedchat-judge serve --port 8000 &      # or: python -m nli_judge.judge serve
    python examples/http_client_example.py
"""

import httpx

body = {"question": "What is the usual dose?",
        "answer": "The usual starting dose is 500 mg twice a day.",
        "passages": ["The usual starting dose of metformin is 500 mg twice a day with meals."]}
r = httpx.post("http://127.0.0.1:8000/v1/judge", json=body, timeout=60)
r.raise_for_status()
result = r.json()
print(result["verdict"], result["score"], result["judge_version"])
for s in result["sentences"]:
    print(f"  {s['label']:<12} {s['text']}")
