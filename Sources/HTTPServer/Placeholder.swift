// HTTPServer module: see Package.swift
