"""Type hints of hashmatch.eval."""
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import PairStats

ALGOS: Tuple[str, ...]
BITS: Dict[str, int]
TRANSFORMS_STANDARD: str
_Inputs = Union[str, os.PathLike, Iterable[Union[str, os.PathLike]]]

def list_images(inputs: _Inputs, recursive: bool = ...) -> List[str]: ...

class Corpus:
    paths: List[str]
    codes: Dict[str, npt.NDArray[np.uint8]]
    groups: Optional[npt.NDArray[np.uint32]]
    failed: List[Tuple[str, str, str]]
    def __init__(self, paths: Sequence[str], codes: Dict[str, npt.NDArray[np.uint8]],
                 groups: Optional[npt.NDArray[np.uint32]] = ..., failed: Iterable[Tuple[str, str, str]] = ...) -> None: ...
    def __len__(self) -> int: ...
    @property
    def algos(self) -> Tuple[str, ...]: ...
    @classmethod
    def from_rows(cls, rows: np.ndarray, groups: Any = ...) -> "Corpus": ...

def load_corpus(inputs: _Inputs, algos: Union[None, str, Iterable[str]] = ..., *, dihedral: bool = ...,
                recursive: bool = ..., groups: Any = ..., threads: Optional[int] = ...,
                progress: Any = ...) -> Corpus: ...

class FprResult:
    algo: str
    bits: int
    stats: PairStats
    paths: Optional[List[str]]
    histogram: npt.NDArray[np.uint64]
    pairs: int
    images: int
    nearest: npt.NDArray[np.int32]
    nearest_index: npt.NDArray[np.int64]
    def __init__(self, algo: str, stats: PairStats, paths: Optional[Sequence[str]] = ...) -> None: ...
    @property
    def nearest_path(self) -> Optional[List[Optional[str]]]: ...
    def fpr(self) -> npt.NDArray[np.float64]: ...
    def image_fpr(self) -> npt.NDArray[np.float64]: ...
    def merge(self, other: "FprResult") -> "FprResult": ...
    def rates(self, thresholds: Optional[Sequence[int]] = ...) -> Any: ...
    def per_image(self) -> Any: ...

def fpr(corpus: Corpus, algos: Union[None, str, Iterable[str]] = ..., *, threads: Optional[int] = ...,
        shard: Optional[Tuple[int, int]] = ...) -> Dict[str, FprResult]: ...
def read_fpr_json(path: Union[str, os.PathLike]) -> Dict[str, FprResult]: ...

class RobustnessResult:
    paths: List[str]
    algos: Tuple[str, ...]
    transforms: List[str]
    names: List[str]
    strengths: List[str]
    steps: List[List[Tuple[str, List[float]]]]
    distances: npt.NDArray[np.int32]
    failed: List[Tuple[str, str, str]]
    seed: int
    def __init__(self, paths: Sequence[str], algos: Sequence[str], info: list, distances: np.ndarray,
                 failed: Iterable[Tuple[str, str, str]], seed: int) -> None: ...
    def histogram(self, algo: str, transforms: Union[None, int, Sequence[int]] = ...) -> npt.NDArray[np.uint64]: ...
    def table(self, thresholds: Optional[Sequence[int]] = ...) -> Any: ...

def robustness(images: Any, transforms: str = ..., algos: Union[None, str, Iterable[str]] = ..., *,
               dihedral: bool = ..., seed: int = ..., threads: Optional[int] = ..., progress: Any = ...,
               recursive: bool = ...) -> RobustnessResult: ...
def image_seed(seed: int, data_or_path: Union[bytes, str, os.PathLike]) -> int: ...
def transform(array: npt.ArrayLike, spec: str, seed: int = ...) -> npt.NDArray[np.uint8]: ...

class RocResult:
    algo: str
    bits: int
    pairs: int
    edited: int
    fpr: npt.NDArray[np.float64]
    image_fpr: npt.NDArray[np.float64]
    recall: npt.NDArray[np.float64]
    auc: float
    def __init__(self, algo: str, fpr_result: FprResult, same_hist: np.ndarray) -> None: ...
    def threshold_for(self, target_fpr: float) -> Tuple[int, Optional[float], Optional[float], bool]: ...
    def points(self) -> Any: ...

def roc(fpr_result: FprResult, robustness_result: RobustnessResult, algo: Optional[str] = ...) -> RocResult: ...
def binomial_tail(n: int, p: float, k: int) -> float: ...
def account(per_image_fpr: float, images_per_account: int, threshold: int) -> Dict[str, float]: ...
def account_empirical(fpr_result: FprResult, distance: int, images_per_account: int, threshold: int, *,
                      trials: int = ..., draw: str = ..., seed: int = ...) -> float: ...
