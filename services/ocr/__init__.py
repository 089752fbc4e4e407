"""ocr: reads each received document into fields (structured XML, PDF text layer, OCR) and emits InvoiceExtracted."""
