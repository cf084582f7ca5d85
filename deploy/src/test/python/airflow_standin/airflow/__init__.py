"""A stand-in for the few Airflow 3 classes deploy/airflow's DAG uses, for tests only.

Airflow cannot be installed where this project is built and tested. This package, put first on
PYTHONPATH by AirflowDagIT, keeps what a DAG file declares (tasks, dependencies, retries, params)
and does what Airflow does between a DAG file and the spark-submit process: it renders templated
fields with Jinja2 (StrictUndefined) and builds the command line the way the Spark provider's hook
does. It does not schedule, store anything, pass XComs, or model executors, pools or callbacks.
"""
