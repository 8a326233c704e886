"""The merchant app: web/ (static, served at /store) and terminal.py (`o2o storeapp`).

It talks to the server only over HTTP and WebSocket, never by import.
"""
