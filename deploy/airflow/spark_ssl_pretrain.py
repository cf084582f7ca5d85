"""Scheduled self-supervised pretraining with spark-ssl: train, then eval, then embed.

Each task submits the one application jar with spark-submit (SparkSubmitOperator of
apache-airflow-providers-apache-spark) to the cluster of the Spark connection ``spark_conn_id``.
One run directory per logical date, ``<run_root>/<YYYYMMDD>``: a retry of ``train`` continues it
from its newest complete checkpoint (``--resume``) instead of starting over, ``eval`` scores the
model it holds, and ``embed`` (re)writes the date's embeddings table.

No credentials here: object-store keys come from the cluster (spark-defaults.conf, instance or
pod roles, environment credential providers), the master URL from the Airflow connection.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, Param

MAIN_CLASS = "sparkssl.job.Main"
# one run directory per logical date; every task of a DAG run works in the same one
RUN_DIR = "{{ params.run_root }}/{{ ds_nodash }}"
MODEL = RUN_DIR + "/model.zip"

with DAG(
    dag_id="spark_ssl_pretrain",
    description="Pretrain an image encoder with spark-ssl, score it with k-NN, embed the corpus",
    schedule="@weekly",
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    # two runs of the same corpus would compete for the cluster; a late run waits for the previous
    max_active_runs=1,
    default_args={
        "owner": "ml-platform",
        # train resumes from its newest checkpoint and embed replaces its output: a retry loses
        # at most the epoch that was running
        "retries": 3,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
    },
    params={
        "job_jar": Param("/opt/spark-ssl/spark-ssl-job.jar", type="string",
                         description="The application jar (spark-job/target/spark-ssl-job.jar), a path spark-submit can read"),
        "corpus": Param("s3a://datasets/images/unlabeled/", type="string",
                        description="Unlabeled images (PNG/JPEG, recursive), any Hadoop path"),
        "eval_train": Param("s3a://datasets/images/labeled/train/", type="string",
                            description="Labeled folder (class = parent folder) used as the k-NN bank"),
        "eval_test": Param("s3a://datasets/images/labeled/test/", type="string",
                           description="Labeled folder whose k-NN top-1 is reported"),
        "run_root": Param("s3a://ml-runs/spark-ssl", type="string",
                          description="Run directories go here, one per logical date: <run_root>/<YYYYMMDD>"),
        "embeddings_root": Param("s3a://ml-features/spark-ssl-embeddings", type="string",
                                 description="Embedding tables go here, one per logical date: <embeddings_root>/dt=<YYYY-MM-DD>"),
        "method": Param("simclr", type="string", enum=["simclr", "byol", "simsiam", "dino", "vicreg", "barlow"],
                        description="Self-supervised method"),
        "epochs": Param(10, type="integer", minimum=1, description="Passes over the corpus"),
        "batch_size": Param(64, type="integer", minimum=2, description="Images per worker step"),
        "averaging_frequency": Param(4, type="integer", minimum=1, description="Worker steps between parameter averagings"),
        "workers": Param(0, type="integer", minimum=0, description="Training workers; 0 = Spark's default parallelism"),
        "executor_memory": Param("8g", type="string", pattern="^[0-9]+[kmgtKMGT]?$", description="spark.executor.memory"),
        "executor_cores": Param(1, type="integer", minimum=1, description="spark.executor.cores; one training worker per task"),
        "driver_memory": Param("4g", type="string", pattern="^[0-9]+[kmgtKMGT]?$",
                               description="spark.driver.memory (the driver holds the model and the k-NN bank)"),
    },
    tags=["spark-ssl", "pretraining"],
) as dag:
    # templated (the operator renders every value); the master comes from the connection
    spark_conf = {
        "spark.executor.memory": "{{ params.executor_memory }}",
        "spark.executor.cores": "{{ params.executor_cores }}",
        "spark.driver.memory": "{{ params.driver_memory }}",
    }

    def spark_ssl(task_id: str, args: list[str], **kwargs) -> SparkSubmitOperator:
        return SparkSubmitOperator(
            task_id=task_id,
            conn_id="spark_default",
            application="{{ params.job_jar }}",
            java_class=MAIN_CLASS,
            name="spark-ssl-" + task_id + "-{{ ds_nodash }}",
            conf=spark_conf,
            application_args=args,
            **kwargs,
        )

    train = spark_ssl("train", [
        "train",
        "--corpus", "{{ params.corpus }}",
        "--eval-train", "{{ params.eval_train }}",
        "--eval-test", "{{ params.eval_test }}",
        "--run-dir", RUN_DIR,
        "--resume",
        "--method", "{{ params.method }}",
        "--epochs", "{{ params.epochs }}",
        "--batch-size", "{{ params.batch_size }}",
        "--averaging-frequency", "{{ params.averaging_frequency }}",
        "--workers", "{{ params.workers }}",
    ], execution_timeout=timedelta(hours=24))

    evaluate = spark_ssl("eval", [
        "eval",
        "--model", MODEL,
        "--eval-train", "{{ params.eval_train }}",
        "--eval-test", "{{ params.eval_test }}",
    ], execution_timeout=timedelta(hours=2))

    embed = spark_ssl("embed", [
        "embed",
        "--model", MODEL,
        "--corpus", "{{ params.corpus }}",
        "--out", "{{ params.embeddings_root }}/dt={{ ds }}",
        # a retry, or a rerun of the same date, replaces the table once the new one is complete
        "--overwrite",
    ], execution_timeout=timedelta(hours=6))

    train >> evaluate >> embed
