// Journal module: see Package.swift
