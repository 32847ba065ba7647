"""What an analysis writes besides report.json: the annotated video, report.html, CSV."""
