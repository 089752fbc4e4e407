"""An accepted invoice becomes an open item: payable for a purchase, receivable for a sale."""


def side_of(direction: str) -> str:
    return {"purchase": "payable", "sale": "receivable"}[direction]
